import GRDB

/// The archive's tables, created by named, ordered migrations. Documented in docs/archive.md for
/// readers who query it with `sqlite3` directly.
enum ArchiveSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: articles, files, entities, mentions, labels, alerts, checkpoints") { db in
            try db.execute(
                sql: """
                    CREATE TABLE articles (
                        id TEXT PRIMARY KEY NOT NULL,
                        stream TEXT NOT NULL,
                        epoch INTEGER NOT NULL,
                        seq INTEGER NOT NULL,
                        title TEXT NOT NULL,
                        published TEXT,
                        published_precision TEXT,
                        outlet TEXT,
                        lang TEXT NOT NULL,
                        body TEXT NOT NULL,
                        record TEXT NOT NULL,
                        ingested_at TEXT NOT NULL,
                        archived_at TEXT NOT NULL
                    );
                    CREATE INDEX articles_by_date ON articles(coalesce(published, substr(ingested_at, 1, 10)));
                    CREATE INDEX articles_by_outlet ON articles(outlet);
                    CREATE TABLE files (
                        article_id TEXT NOT NULL REFERENCES articles(id),
                        name TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        received_at TEXT NOT NULL,
                        PRIMARY KEY (article_id, sha256, name)
                    );
                    CREATE TABLE entities (
                        id TEXT PRIMARY KEY NOT NULL,
                        kind TEXT NOT NULL,
                        name_ar TEXT NOT NULL,
                        name_en TEXT NOT NULL,
                        wikidata TEXT
                    );
                    CREATE TABLE mentions (
                        article_id TEXT NOT NULL REFERENCES articles(id),
                        entity_id TEXT NOT NULL REFERENCES entities(id),
                        count INTEGER NOT NULL,
                        PRIMARY KEY (article_id, entity_id)
                    );
                    CREATE INDEX mentions_by_entity ON mentions(entity_id, article_id);
                    CREATE TABLE labels (
                        article_id TEXT NOT NULL REFERENCES articles(id),
                        label TEXT NOT NULL,
                        score REAL NOT NULL,
                        evidence TEXT NOT NULL,
                        PRIMARY KEY (article_id, label)
                    );
                    CREATE INDEX labels_by_label ON labels(label, article_id);
                    CREATE TABLE alerts (
                        rule TEXT NOT NULL,
                        article_id TEXT NOT NULL,
                        severity TEXT NOT NULL,
                        fired_at TEXT NOT NULL,
                        alert TEXT NOT NULL,
                        PRIMARY KEY (rule, article_id)
                    );
                    CREATE TABLE checkpoints (
                        stream TEXT PRIMARY KEY NOT NULL,
                        epoch INTEGER NOT NULL,
                        seq INTEGER NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v1: full-text index") { db in
            // Contentless FTS5 over the search forms of title and body (see SearchForms); its
            // rowid is the article's rowid. The text itself is in articles.
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE articles_fts USING fts5(
                        stems, variants, skeletons, content = '', tokenize = 'unicode61 remove_diacritics 0'
                    )
                    """)
        }
        migrator.registerMigration("v2: index the date searches order by") { db in
            // The same expression as ArchiveDates.sql, so that date filters and newest-first
            // listings use the index instead of sorting the whole archive.
            try db.execute(
                sql: """
                    DROP INDEX articles_by_date;
                    CREATE INDEX articles_by_day ON articles(substr(coalesce(published, substr(ingested_at, 1, 10)) || '-01-01', 1, 10));
                    """)
        }
        return migrator
    }
}
