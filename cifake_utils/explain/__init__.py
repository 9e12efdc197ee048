"""Class activation maps, their faithfulness and sanity checks, and their figures."""
