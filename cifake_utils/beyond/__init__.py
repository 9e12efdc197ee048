"""Beyond the paper (notebook 08): a from-scratch VGG-BN detector on the paper's data, budget
and evaluation, and how it compares with the paper's two models."""
