"""How every public answer goes over HTTP: cached whole and kept exactly fresh, with the
headers browsers and CDNs need, compressed, and served even when a cache or the database fails."""
