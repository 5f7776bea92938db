"""Working time: team and owner calendars, working-time clocks and day tables."""
