/* contact.c - placeholder, being written. */
