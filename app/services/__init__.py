"""Services: the operations the window and the command line perform on the store."""
