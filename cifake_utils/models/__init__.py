"""The CNN architectures, their training, inference, and saved models with their sidecars."""
