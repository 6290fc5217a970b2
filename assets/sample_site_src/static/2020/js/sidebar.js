/* The real sidebar is filled by a script from the column tree; the sample writes it statically. */
