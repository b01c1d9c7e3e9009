"""Facts about couriers that rules need: display names, tracking page templates and the
names webshops use for them."""

from __future__ import annotations

import re
from urllib.parse import quote

COURIER_NAMES: dict[str, str] = {
    "postnord": "PostNord",
    "bring": "Bring",
    "dhl": "DHL",
    "budbee": "Budbee",
    "instabox": "Instabox",
    "sandbox": "Sandbox Express",
}

# Each courier's brand colour, so the dashboard can mark a courier without downloading its logo.
COURIER_COLOURS: dict[str, str] = {
    "postnord": "#00A0D6",
    "bring": "#7BC144",
    "dhl": "#FFCC00",
    "budbee": "#45C1A4",
    "instabox": "#FF4F8B",
    "sandbox": "#6B5BD2",
}
DELIVERY_TYPE_NAMES: dict[str, str] = {
    "home": "Home delivery",
    "service_point": "Service point",
    "locker": "Parcel locker",
    "business": "Business delivery",
}

TRACKING_URL_TEMPLATES: dict[str, str] = {
    "postnord": "https://tracking.postnord.com/se/?id={number}",
    "bring": "https://tracking.bring.com/tracking/{number}",
    "dhl": "https://www.dhl.com/se-en/home/tracking.html?tracking-id={number}",
    "budbee": "https://tracking.budbee.com/{number}",
    "instabox": "https://track.instabox.io/{number}",
    "sandbox": "http://localhost:8000/track/{number}",
}

# Free-text courier names as webshops send them (Shopify tracking_company,
# WooCommerce tracking_provider), lower-cased with punctuation removed.
_ALIASES: dict[str, str] = {
    "postnord": "postnord",
    "postnordse": "postnord",
    "postnorddk": "postnord",
    "postnordno": "postnord",
    "postnordsverige": "postnord",
    "bring": "bring",
    "posten": "bring",
    "postennorge": "bring",
    "bringparcels": "bring",
    "dhl": "dhl",
    "dhlexpress": "dhl",
    "dhlparcel": "dhl",
    "dhlecommerce": "dhl",
    "dhlfreight": "dhl",
    "budbee": "budbee",
    "instabox": "instabox",
    "sandbox": "sandbox",
    "sandboxexpress": "sandbox",
}


def courier_code_from_name(name: str | None) -> str | None:
    """Our courier code for a webshop's courier name, or None when we do not know it."""
    if not name:
        return None
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return _ALIASES.get(key)


def tracking_url(courier: str | None, tracking_number: str | None) -> str | None:
    if not courier or not tracking_number:
        return None
    template = TRACKING_URL_TEMPLATES.get(courier)
    if template is None:
        return None
    return template.format(number=quote(tracking_number, safe=""))


def courier_display_name(courier: str | None) -> str:
    if not courier:
        return ""
    return COURIER_NAMES.get(courier, courier)


def courier_colour(courier: str | None) -> str:
    return COURIER_COLOURS.get(courier or "", "#808080")
