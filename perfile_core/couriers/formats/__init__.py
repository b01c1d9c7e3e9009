"""Pure push formats couriers use to call us: verify the delivery, parse it into a TrackingEvent."""
