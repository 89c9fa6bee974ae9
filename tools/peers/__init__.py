"""Templates and expected results of other OMR systems, read for the evaluation bench."""
