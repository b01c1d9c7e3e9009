"""Who has which role (addresses beat domains, unknown means none) and the audit trail by person:
who (name and e-mail), when, what, before and after, on the timeline and through services/audit_log."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from perfile_core.clock import utcnow
from perfile_core.config import load_settings
from perfile_core.domain.access import Actor, Role, parse_roles, role_map
from perfile_core.domain.errors import ValidationError
from perfile_core.services import admin
from perfile_core.services import orders as order_service
from perfile_core.services.audit_log import audit_entries, audit_people
from perfile_core.services.order_detail import order_detail
from tests.actors import ADMIN
from tests.core.helpers import make_order, make_store

ANNA = Actor("Anna Berg", "anna@perfile.se", Role.OPERATOR)
BO = Actor("Bo Ek", "bo@perfile.se", Role.OPERATOR)


def test_an_address_beats_its_domain_and_unknown_addresses_have_no_role():
    roles = parse_roles("perfile.se=operator, Boss@Perfile.se=admin, @partner.no=analyst,")
    assert roles.role_for("boss@perfile.se") is Role.ADMIN
    assert roles.role_for("BOSS@perfile.SE") is Role.ADMIN  # addresses compare without case
    assert roles.role_for("anna@perfile.se") is Role.OPERATOR
    assert roles.role_for("kari@partner.no") is Role.ANALYST
    assert roles.role_for("eve@evil.example") is None
    assert roles.role_for("perfile.se") is None  # not an address
    assert roles.role_for(None) is None
    assert roles.role_for("eve@sub.perfile.se") is None  # a domain is exact, not its subdomains


@pytest.mark.parametrize("text", ["anna@x.se=root", "anna@x.se=system", "anna@x.se", "a b@x.se=admin"])
def test_a_bad_role_entry_is_refused_with_its_reason(text):
    with pytest.raises(ValidationError) as caught:
        parse_roles(text)
    assert caught.value.field == "roles"


def test_settings_roles_and_the_dashboard_roles_section_combine_and_the_section_wins():
    settings = load_settings(roles="x.se=analyst, anna@x.se=operator")
    merged = settings.role_map({"anna@x.se": "admin", "y.no": "operator"})
    assert merged.role_for("anna@x.se") is Role.ADMIN
    assert merged.role_for("bo@x.se") is Role.ANALYST
    assert merged.role_for("kari@y.no") is Role.OPERATOR
    assert role_map([]).role_for("anna@x.se") is None


def test_local_mode_acts_as_a_named_person_admin_by_default():
    assert load_settings(local_user="Astrid").local_actor() == Actor("Astrid", None, Role.ADMIN)
    analyst = load_settings(local_user="Astrid", local_user_email="a@x.se", local_role="analyst").local_actor()
    assert analyst == Actor("Astrid", "a@x.se", Role.ANALYST)
    assert load_settings(local_user="").local_actor().name  # the OS user, never empty


def test_every_write_records_who_when_what_before_and_after(db):
    make_store(db)
    start = utcnow()
    order = order_service.create_order(db, {"store_key": "shop", "customer_name": "Ola", "city": "Malmö"}, actor=ANNA)
    order_service.edit_order(db, order.id, {"city": "Lund"}, actor=BO)
    order_service.soft_delete_order(db, order.id, actor=ANNA, reason="twice")
    order_service.restore_order(db, order.id, actor=BO)
    entries = audit_entries(db, since=start)
    assert [(e.action, e.actor, e.actor_email, e.actor_role) for e in entries] == [
        ("order.restored", "Bo Ek", "bo@perfile.se", "operator"),
        ("order.deleted", "Anna Berg", "anna@perfile.se", "operator"),
        ("order.edited", "Bo Ek", "bo@perfile.se", "operator"),
        ("order.created", "Anna Berg", "anna@perfile.se", "operator"),
    ]
    restored, deleted, edited, created = entries
    assert (edited.before, edited.after) == ({"city": "Malmö"}, {"city": "Lund"})
    assert deleted.before == {"deleted_at": None} and deleted.after["deleted_at"]
    assert restored.before == deleted.after and restored.after == {"deleted_at": None}
    assert created.before is None and created.after["customer_name"] == "Ola"
    assert all(entry.at >= start and entry.order_number == order.order_number for entry in entries)
    assert edited.title == "Order edited by Bo Ek (bo@perfile.se)"


def test_the_timeline_says_the_person_not_the_dashboard(db):
    make_store(db)
    order = order_service.create_order(db, {"store_key": "shop", "customer_name": "Ola"}, actor=ANNA)
    order_service.soft_delete_order(db, order.id, actor=ANNA, reason="customer asked")
    order_service.restore_order(db, order.id, actor=ANNA)
    titles = [entry.title for entry in order_detail(db, order.id).timeline if entry.kind == "audit"]
    assert "Order deleted by Anna Berg (anna@perfile.se)" in titles
    assert all("dashboard" not in title for title in titles)


def test_audit_entries_filter_by_person_action_and_period(db):
    make_store(db)
    first = make_order(db)
    order_service.edit_order(db, first.id, {"city": "Lund"}, actor=ANNA)
    order_service.edit_order(db, first.id, {"city": "Malmö"}, actor=BO)
    middle = utcnow()
    order_service.soft_delete_order(db, first.id, actor=ANNA, reason="x")
    anna = audit_entries(db, person="ANNA@perfile.se")
    assert [e.action for e in anna] == ["order.deleted", "order.edited"]
    assert [e.actor for e in audit_entries(db, person="Bo Ek")] == ["Bo Ek"]  # by name too
    assert [e.action for e in audit_entries(db, person="anna@perfile.se", actions=["order.edited"])] == ["order.edited"]
    assert [e.actor for e in audit_entries(db, since=middle)] == ["Anna Berg"]
    assert {e.actor for e in audit_entries(db, until=middle, actions=("order.edited",))} == {"Anna Berg", "Bo Ek"}
    assert audit_entries(db, person="nobody@perfile.se") == []
    assert audit_entries(db, person="x' OR '1'='1") == []  # a bound parameter, never SQL
    assert ("Anna Berg", "anna@perfile.se") in audit_people(db)
    with pytest.raises(ValidationError):
        audit_entries(db, since=middle, until=middle)
    with pytest.raises(ValidationError):
        audit_entries(db, limit=0)


def test_admin_writes_are_audited_without_the_secret(db):
    admin.add_store(db, key="woo", name="Woo", platform="woocommerce", webhook_secret="wc-secret-1", actor=ADMIN)
    admin.rotate_store_secret(db, "woo", "wc-secret-2", actor=ADMIN)
    admin.configure_courier(db, "postnord", api_key="pn-key", base_url="https://pn.example", actor=ADMIN)
    entries = audit_entries(db, person=ADMIN.email)
    assert [e.action for e in entries] == ["courier.configured", "store.secret_rotated", "store.added"]
    configured, rotated, added = entries
    assert configured.after == {"api_key": "set", "base_url": "https://pn.example"}
    assert rotated.before == {"webhook_secret": "set"} and rotated.after == {"webhook_secret": "rotated"}
    assert added.after["webhook_secret"] == "set"
    text = repr(entries)
    assert "wc-secret" not in text and "pn-key" not in text


def test_migration_0012_both_ways(db):
    from perfile_core.db.migrate import downgrade, migrate

    downgrade(db, "0012-1")
    assert "actor_email" not in {column["name"] for column in inspect(db).get_columns("audit_log")}
    migrate(db)
    columns = {column["name"] for column in inspect(db).get_columns("audit_log")}
    assert {"actor_email", "actor_role", "before", "after"} <= columns
    make_store(db)
    order_service.create_order(db, {"store_key": "shop", "customer_name": "Ola"}, actor=ANNA)
    assert audit_entries(db, person="anna@perfile.se")[0].actor_role == "operator"


def test_the_secrets_example_is_a_complete_login_and_roles_setup():
    import tomllib

    from perfile_core.config import PROJECT_ROOT

    example = tomllib.loads((PROJECT_ROOT / ".streamlit" / "secrets.toml.example").read_text())
    assert {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"} <= set(
        example["auth"]
    )
    roles = load_settings(roles="").role_map(example["roles"])
    assert roles.role_for("anna.berg@example.com") is Role.ADMIN
    assert roles.role_for("someone@example.com") is Role.OPERATOR
