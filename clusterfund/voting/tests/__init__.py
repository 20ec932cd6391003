"""Tests of the counting rules and the pabulib files: hand-worked meetings, properties, and pabutools."""
