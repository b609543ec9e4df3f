// One line per gradient file; each file registers its VJPs when imported.
