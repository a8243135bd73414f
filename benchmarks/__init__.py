"""The benchmark behind ``make bench`` (see the README, "Performance")."""
