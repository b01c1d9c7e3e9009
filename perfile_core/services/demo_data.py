"""Plausible Nordic names, places and demo accounts for the demo seeder."""

from __future__ import annotations

FIRST_NAMES = {
    "SE": [
        "Anna",
        "Erik",
        "Maja",
        "Lars",
        "Elsa",
        "Johan",
        "Ingrid",
        "Oskar",
        "Astrid",
        "Nils",
        "Linnea",
        "Gustav",
    ],
    "NO": ["Ingrid", "Ola", "Nora", "Henrik", "Sofie", "Magnus", "Kari", "Sindre", "Thea", "Eirik"],
    "DK": ["Freja", "Mads", "Ida", "Rasmus", "Sofie", "Frederik", "Mette", "Jonas", "Karen", "Mikkel"],
    "FI": ["Aino", "Mikko", "Sanna", "Juha", "Emilia", "Antti", "Veera", "Eero", "Helmi", "Ville"],
}
LAST_NAMES = {
    "SE": [
        "Andersson",
        "Johansson",
        "Karlsson",
        "Nilsson",
        "Eriksson",
        "Larsson",
        "Olsson",
        "Lindqvist",
        "Bergström",
        "Sjöberg",
    ],
    "NO": ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Nilsen", "Berg", "Haugen", "Dahl", "Bakke"],
    "DK": [
        "Nielsen",
        "Jensen",
        "Hansen",
        "Pedersen",
        "Andersen",
        "Christensen",
        "Larsen",
        "Sørensen",
        "Rasmussen",
        "Jørgensen",
    ],
    "FI": [
        "Korhonen",
        "Virtanen",
        "Mäkinen",
        "Nieminen",
        "Mäkelä",
        "Hämäläinen",
        "Laine",
        "Heikkinen",
        "Koskinen",
        "Järvinen",
    ],
}
# (city, postal code, streets) per country.
PLACES = {
    "SE": [
        ("Stockholm", "11122", ["Drottninggatan", "Sveavägen", "Götgatan", "Hornsgatan"]),
        ("Göteborg", "41103", ["Avenyn", "Linnégatan", "Vasagatan"]),
        ("Malmö", "21122", ["Södra Förstadsgatan", "Amiralsgatan", "Regementsgatan"]),
        ("Uppsala", "75320", ["Kungsgatan", "Svartbäcksgatan"]),
        ("Umeå", "90326", ["Storgatan", "Rådhusesplanaden"]),
        ("Solna", "16970", ["Solnavägen", "Frösundaleden"]),
    ],
    "NO": [
        ("Oslo", "0150", ["Karl Johans gate", "Bogstadveien", "Grünerløkka"]),
        ("Bergen", "5003", ["Torgallmenningen", "Nygårdsgaten"]),
        ("Trondheim", "7011", ["Munkegata", "Olav Tryggvasons gate"]),
    ],
    "DK": [
        ("København", "1050", ["Strøget", "Nørrebrogade", "Vesterbrogade"]),
        ("Aarhus", "8000", ["Søndergade", "Jægergårdsgade"]),
        ("Odense", "5000", ["Vestergade", "Kongensgade"]),
    ],
    "FI": [
        ("Helsinki", "00100", ["Mannerheimintie", "Aleksanterinkatu", "Bulevardi"]),
        ("Tampere", "33100", ["Hämeenkatu", "Satakunnankatu"]),
        ("Turku", "20100", ["Aurakatu", "Eerikinkatu"]),
    ],
}
COUNTRY_WEIGHTS = {"SE": 0.55, "NO": 0.2, "DK": 0.15, "FI": 0.1}

DEMO_STORES = [
    {
        "key": "demo-shopify",
        "name": "Nordic Coffee Co. (Shopify)",
        "platform": "shopify",
        "shop_domain": "demo-delivery-shop.myshopify.com",
        # The secret of the sample deliveries (tests/fixtures/contracts/webshops), so they replay against the demo.
        "webhook_secret": "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",
        "pickup_address": {
            "name": "Nordic Coffee Co.",
            "line1": "Hamngatan 12",
            "postal_code": "11147",
            "city": "Stockholm",
            "country_code": "SE",
        },
        "order_prefix": "#",
        "first_number": 1000,
    },
    {
        "key": "demo-woo",
        "name": "Fjällgear (WooCommerce)",
        "platform": "woocommerce",
        "shop_domain": None,
        "webhook_secret": "wc-demo-secret-7Qx2LmP9vT4k",
        "pickup_address": {
            "name": "Fjällgear AB",
            "line1": "Industrigatan 4",
            "postal_code": "41707",
            "city": "Göteborg",
            "country_code": "SE",
        },
        "order_prefix": "",
        "first_number": 4800,
    },
    {
        "key": "demo-manual",
        "name": "Telephone orders",
        "platform": "manual",
        "shop_domain": None,
        "webhook_secret": None,
        "pickup_address": {
            "name": "Perfile Lager",
            "line1": "Lagervägen 1",
            "postal_code": "75323",
            "city": "Uppsala",
            "country_code": "SE",
        },
        "order_prefix": "TEL-",
        "first_number": 100,
    },
]

DEMO_COURIER_SECRETS = {
    # Standard Webhooks secrets (whsec_ + base64) for couriers that push our unified format.
    "sandbox": "whsec_cGVyZmlsZS1kZW1vLXNhbmRib3gtc2VjcmV0LTAx",
    "postnord": "whsec_cGVyZmlsZS1kZW1vLXBvc3Rub3JkLXNlY3JldA==",
    "dhl": "whsec_cGVyZmlsZS1kZW1vLWRobC1zZWNyZXQtMDAx",
    # Bring Event Cast: the value of the header we configured at subscription time.
    "bring": "bring-demo-eventcast-secret",
}

# Raw courier codes for each step, as each courier sends them (see domain.courier_mappings).
COURIER_STEPS = {
    "postnord": {
        "confirmed": "INFORMED",
        "picked_up": "EN_ROUTE",
        "in_transit": "EN_ROUTE",
        "out_for_delivery": None,
        "ready_for_pickup": "AVAILABLE_FOR_DELIVERY",
        "delivered": "DELIVERED",
        "delayed": "DELAYED",
        "failed_attempt": "DELIVERY_IMPOSSIBLE",
        "returned": "RETURNED",
    },
    "bring": {
        "confirmed": "PRE_NOTIFIED",
        "picked_up": "HANDED_IN",
        "in_transit": "IN_TRANSIT",
        "out_for_delivery": "TRANSPORT_TO_RECIPIENT",
        "ready_for_pickup": "READY_FOR_PICKUP",
        "delivered": "DELIVERED",
        "delayed": "DEVIATION",
        "failed_attempt": "ATTEMPTED_DELIVERY",
        "returned": "RETURN",
    },
    "dhl": {
        "confirmed": "pre-transit",
        "picked_up": "PU",
        "in_transit": "transit",
        "out_for_delivery": "WC",
        "ready_for_pickup": None,
        "delivered": "delivered",
        "delayed": None,
        "failed_attempt": "failure",
        "returned": None,
    },
    "sandbox": {
        "confirmed": "confirmed",
        "picked_up": "picked_up",
        "in_transit": "in_transit",
        "out_for_delivery": "out_for_delivery",
        "ready_for_pickup": "ready_for_pickup",
        "delivered": "delivered",
        "delayed": "exception:delayed",
        "failed_attempt": "exception:failed_attempt",
        "returned": "returned",
    },
}
STEP_DESCRIPTIONS = {
    "confirmed": "Shipment information received",
    "picked_up": "The shipment has been picked up",
    "in_transit": "The shipment is in transit",
    "out_for_delivery": "The shipment is out for delivery",
    "ready_for_pickup": "The shipment can be collected at the service point",
    "delivered": "The shipment has been delivered",
    "delayed": "The shipment is delayed",
    "failed_attempt": "Delivery attempted; nobody was home",
    "returned": "The shipment is on its way back to the sender",
}
TERMINALS = [
    "Stockholm Årsta",
    "Göteborg Torslanda",
    "Malmö Jägersro",
    "Oslo Alnabru",
    "Vantaa",
    "Brøndby",
    "Jönköping",
    "Sundsvall",
]
