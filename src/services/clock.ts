/** Unix time in whole seconds (the database's time unit). */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Unix seconds → ISO-8601 (the API's time format). */
export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
