"""One image in, verdict out: what the command, the web app and notebook 06 share."""
