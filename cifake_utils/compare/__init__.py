"""Detectors compared with each other and with the field: published targets, training cost, Grad-
CAM side by side, and notebook 08's findings and figures."""
