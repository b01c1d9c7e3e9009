"""Pure rules: statuses, computed fields, errors. Standard library only."""
