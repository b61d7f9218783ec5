/**
 * Spreadsheet formula injection (OWASP «CSV Injection»): a cell whose text starts with `=`, `+`,
 * `-`, `@`, a tab or a carriage return is taken for a formula when the file is opened in Excel,
 * LibreOffice or Google Sheets, and `=HYPERLINK(…)` then leaks or runs whatever its author wrote.
 */

/** The starts refused in free-text input: rare in a real name or address, and refusal is clearer than silent escaping. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Everything escaped on export: the above, plus line feed and NUL (OWASP ASVS) and the full-width forms some locales evaluate. */
const ESCAPED_START = /^[=+\-@\t\r\n\0＝＋－＠]/;

/** True when free text would be read as a formula by a spreadsheet. */
export function startsLikeSpreadsheetFormula(value: string): boolean {
  return FORMULA_START.test(value);
}

/**
 * Makes a text cell safe for any CSV or spreadsheet export: a value that a spreadsheet could read
 * as a formula gets a leading single quote, which spreadsheets treat as «this is text» and do not
 * show. Everything else is returned unchanged. Apply it to every text cell of an export, then do
 * the CSV quoting (RFC 4180) as usual; write amounts as numbers, not through this.
 */
export function escapeSpreadsheetCell(value: string): string {
  return ESCAPED_START.test(value) ? `'${value}` : value;
}
