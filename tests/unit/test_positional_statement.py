"""db.direct.PositionalStatement: %(name)s placeholders become $n once; a repeated name keeps its number."""

from perfile_core.db.direct import PositionalStatement


def test_names_become_numbers_in_first_use_order_and_repeat_their_number() -> None:
    statement = PositionalStatement("SELECT %(b)s, %(a)s::date, %(b)s::text WHERE x = %(c)s")
    assert statement.text == "SELECT $1, $2::date, $1::text WHERE x = $3"
    assert statement.parameters({"a": 1, "b": 2, "c": 3, "unused": 4}) == [2, 1, 3]
