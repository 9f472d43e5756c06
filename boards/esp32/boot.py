# boot.py: runs at every reset, before main.py. Nothing to set up here: main.py does the rest, so
# a bad main.py can still be replaced over the REPL (mpremote) after Ctrl-C.
