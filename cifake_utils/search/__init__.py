"""The searches on validation whose committed tables the notebooks train from: the paper models'
training recipe and the beyond-the-paper detector's width and budget."""
