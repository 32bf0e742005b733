/* store_batch.c - placeholder, being written. */
