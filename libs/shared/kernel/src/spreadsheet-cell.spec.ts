import { escapeSpreadsheetCell, startsLikeSpreadsheetFormula } from './spreadsheet-cell';

describe('spreadsheet formulas', () => {
  it('recognises free text a spreadsheet would read as a formula', () => {
    for (const v of ['=HYPERLINK("https://example.invalid","klikk")', '+47 123', '-1+1', '@SUM(A1)', '\t=1+1', '\r=1+1']) expect(startsLikeSpreadsheetFormula(v)).toBe(true);
    for (const v of ['Kirkegata 1', 'Åse Nordmann', '', ' =1', "'=1", '1-1']) expect(startsLikeSpreadsheetFormula(v)).toBe(false);
  });

  it('escapes a formula-like cell with a single quote and leaves every other cell alone', () => {
    expect(escapeSpreadsheetCell('=HYPERLINK("https://example.invalid","klikk")')).toBe('\'=HYPERLINK("https://example.invalid","klikk")');
    expect(escapeSpreadsheetCell('+1')).toBe("'+1");
    expect(escapeSpreadsheetCell('-1')).toBe("'-1");
    expect(escapeSpreadsheetCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(escapeSpreadsheetCell('\tx')).toBe("'\tx");
    expect(escapeSpreadsheetCell('\rx')).toBe("'\rx");
    expect(escapeSpreadsheetCell('\nx')).toBe("'\nx");
    expect(escapeSpreadsheetCell('＝1+1')).toBe("'＝1+1");
    expect(escapeSpreadsheetCell('Kirkegata 1, 7500 Stjørdal')).toBe('Kirkegata 1, 7500 Stjørdal');
    expect(escapeSpreadsheetCell('')).toBe('');
    expect(escapeSpreadsheetCell("'=1")).toBe("'=1");
  });
});
