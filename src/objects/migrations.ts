/**
 * An object's schema is an append-only list of migrations: each object
 * applies those it has not applied yet, in its constructor under blockConcurrencyWhile. Never edit
 * an applied migration; add one.
 */
export function applyMigrations(sql: SqlStorage, migrations: readonly string[]): void {
  sql.exec("CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY)");
  const applied = sql.exec<{ v: number | null }>("SELECT max(version) AS v FROM _migrations").one().v ?? 0;
  for (let version = applied + 1; version <= migrations.length; version++) {
    sql.exec(migrations[version - 1]!);
    sql.exec("INSERT INTO _migrations (version) VALUES (?)", version);
  }
}
