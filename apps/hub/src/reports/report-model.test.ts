import { describe, expect, it } from 'vitest';
import { csvField, type ReportTable, toCsv } from './report-model.js';

describe('CSV export', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('writes units in headers, plain numbers, empty for none, and defuses formulas', () => {
    const table: ReportTable = {
      id: 't',
      title: 'T',
      empty: '',
      columns: [
        { key: 'name', label: 'Name', kind: 'text' },
        { key: 'revenue', label: 'Revenue', kind: 'money' },
        { key: 'cover', label: 'Days of cover', kind: 'days' },
        { key: 'age', label: 'Silent for', kind: 'duration' },
        { key: 'delta', label: 'Change', kind: 'int' },
      ],
      rows: [
        { name: 'Lyon, "Part-Dieu"', revenue: 123456, cover: null, age: 90, delta: -3 },
        { name: '=HYPERLINK("x")', revenue: 5, cover: 12.345, age: null, delta: 0 },
      ],
    };
    expect(toCsv(table, 'EUR')).toBe(
      'Name,Revenue (EUR),Days of cover,Silent for (s),Change\r\n' +
        '"Lyon, ""Part-Dieu""",1234.56,,90,-3\r\n' +
        `"'=HYPERLINK(""x"")",0.05,12.35,,0\r\n`,
    );
  });
});
