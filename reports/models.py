# Reports render from meetings and actions; they keep no tables of their own yet.
