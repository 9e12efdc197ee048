"""CIFAKE itself: reading its sources, the decoded cache, the audit, splits, statistics, tf.data."""
