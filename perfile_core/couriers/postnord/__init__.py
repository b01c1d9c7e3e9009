"""PostNord: EDI booking with an inline PDF label, Track & Trace v7 polling, a rate table."""
