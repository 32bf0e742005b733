/* engine.c - placeholder, being written. */
