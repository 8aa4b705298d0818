/**
 * Vault schema version 20 on, continuing `MARKING_MIGRATIONS` (same rules: append only, one
 * transaction each): the incoming register's own numbers.
 */
export const REGISTER_MIGRATIONS: readonly string[] = [
  /* 20: every registration of an incoming document, received or entered by hand, numbered once */ `
  CREATE TABLE document_registrations (
    document_id TEXT PRIMARY KEY,
    year INTEGER NOT NULL,
    -- The register's sequence number (n of n/YYYY/ĐẾN); NULL for a number typed in another form.
    number INTEGER,
    registration_number TEXT NOT NULL UNIQUE,
    registered_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX document_registrations_by_number ON document_registrations (year, number)
    WHERE number IS NOT NULL;
  -- Registrations made before this (received documents only: those of documents entered by
  -- hand were stored nowhere); a number met twice keeps its first registration.
  INSERT OR IGNORE INTO document_registrations (document_id, year, number, registration_number, registered_at)
    SELECT document_id,
      CAST(strftime('%Y', registered_at / 1000, 'unixepoch') AS INTEGER),
      CASE WHEN registration_number GLOB '[0-9]*/[0-9][0-9][0-9][0-9]/ĐẾN'
        AND substr(registration_number, instr(registration_number, '/') + 1, 4)
          = strftime('%Y', registered_at / 1000, 'unixepoch')
        THEN CAST(substr(registration_number, 1, instr(registration_number, '/') - 1) AS INTEGER) END,
      registration_number, registered_at
    FROM document_origins
    WHERE registration_number IS NOT NULL AND registered_at IS NOT NULL
    ORDER BY registered_at;
  `,
];
