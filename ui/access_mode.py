"""Local mode or production, decided before any page runs (app.py calls `enforce` first).

Without an `[auth]` section in .streamlit/secrets.toml nobody logs in, so the dashboard runs in
an explicit local mode: it serves only a loopback address (`server.address`, 127.0.0.1 in
.streamlit/config.toml), says so in a banner, and refuses every run on any other address unless
PERFILE_DASHBOARD_ALLOW_REMOTE_WITHOUT_LOGIN deliberately allows it. With `[auth]` (production,
where `st.login` gates the pages) uncaught errors are logged on the server and only a generic
message reaches the browser (`client.showErrorDetails = "none"`).
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass

import streamlit as st

from ui.access import login_configured
from ui.context import perfile
from ui.safe_text import md

_LOG = logging.getLogger("perfile.dashboard")
ALLOW_SETTING = "PERFILE_DASHBOARD_ALLOW_REMOTE_WITHOUT_LOGIN"
LOCAL_BANNER = "Local mode: no login is configured, so anyone who can reach this dashboard acts as the local user."
LOCAL_REMOTE_BANNER = LOCAL_BANNER[:-1] + " (remote access allowed by setting)."


@dataclass(frozen=True)
class AccessMode:
    local: bool  # no [auth] section: no login, everyone who reaches the port acts as the local user
    address: str | None  # Streamlit's server.address; None or "" means every interface
    remote: bool  # reachable from other machines: another address, or a proxy in front
    refusal: str | None = None  # why nothing may be served, or None

    @property
    def login_required(self) -> bool:
        return not self.local


def is_loopback(address: str | None) -> bool:
    """Only a loopback address counts; an empty address listens on every interface."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def decide(address: str | None, *, auth_configured: bool, allow_remote: bool, proxied: bool = False) -> AccessMode:
    """`proxied`: the request came through a proxy, which makes a loopback address reachable from elsewhere."""
    remote = proxied or not is_loopback(address)
    if auth_configured:
        return AccessMode(local=False, address=address, remote=remote)
    if not remote or allow_remote:
        return AccessMode(local=True, address=address, remote=remote)
    if proxied:
        where = "is reached through a proxy (the request carries forwarding headers)"
    elif address:
        where = f"was started on address {address}"
    else:
        where = "was started on every interface (server.address is not set)"
    return AccessMode(
        local=True,
        address=address,
        remote=True,
        refusal=(
            f"Local mode serves this machine only, but the dashboard {where}. "
            "Without a login ([auth] in .streamlit/secrets.toml) anyone who reaches the port could "
            "book, edit and delete orders. Serve it on 127.0.0.1 without a proxy, configure a login, "
            f"or set {ALLOW_SETTING}=true if every network that reaches it is trusted."
        ),
    )


# What nginx (deploy/nginx/dashboard.conf.template) and other proxies add to a request they pass on.
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-Ip", "Forwarded")


def current_mode() -> AccessMode:
    """This request's mode, from the server's address, the login setup and the request's headers."""
    return decide(
        st.get_option("server.address"),
        auth_configured=login_configured(),
        allow_remote=perfile().settings.dashboard_allow_remote_without_login,
        proxied=any(name in st.context.headers for name in PROXY_HEADERS),
    )


def enforce() -> AccessMode:
    """Stop the run in a refused local mode; show the local-mode banner; hide error details in production."""
    mode = current_mode()
    if mode.refusal:
        _LOG.error("dashboard refused to serve: %s", mode.refusal)
        st.error(md(mode.refusal), icon="🔒")
        st.stop()
    if mode.local:
        banner = LOCAL_REMOTE_BANNER if mode.remote else LOCAL_BANNER
        st.sidebar.info(banner, icon=":material/lock_open:")  # beside the navigation, on every page
    else:
        st.set_option("client.showErrorDetails", "none")  # tracebacks go to the server log only
    return mode
