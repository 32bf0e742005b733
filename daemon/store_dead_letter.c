/* store_dead_letter.c - placeholder, being written. */
