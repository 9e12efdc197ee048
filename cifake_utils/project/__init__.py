"""Where the study's inputs and outputs live: the run profiles, the data and splits of a profile,
saved tables and JSON, and the README's generated sections."""
