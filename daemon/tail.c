/* tail.c - placeholder, being written. */
