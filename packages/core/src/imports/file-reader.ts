import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

export type FileFormat = 'csv' | 'xlsx';

export interface Row {
  /** 1-based line (CSV) or row number (XLSX) as a spreadsheet shows it. */
  readonly line: number;
  readonly values: string[];
}

/**
 * Chinese CSV files are often GB18030/GBK (what Excel saves on a Chinese Windows). A file that
 * decodes as strict UTF-8 is UTF-8; anything else is read as GB18030, a superset of GBK.
 */
export async function detectEncoding(path: string): Promise<'utf-8' | 'gb18030'> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    let head = buffer.subarray(0, bytesRead);
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
    // Do not judge a character cut in half at the end of the sample.
    if (bytesRead === buffer.length) head = head.subarray(0, bytesRead - 4);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head);
      return 'utf-8';
    } catch {
      return 'gb18030';
    }
  } finally {
    await handle.close();
  }
}

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as { text?: unknown; result?: unknown; richText?: { text: string }[] };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if (o.text !== undefined) return String(o.text);
    if (o.result !== undefined) return String(o.result);
  }
  return String(v).trim();
};

/** Streams a file's rows, header included, without reading the file whole. */
export async function* readRows(path: string, format: FileFormat, encoding: string): AsyncGenerator<Row> {
  if (format === 'xlsx') {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
      worksheets: 'emit',
      sharedStrings: 'cache',
    });
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = (row.values as unknown[]).slice(1).map(cell);
        yield { line: row.number, values };
      }
      return; // the first sheet only
    }
    return;
  }
  const parser = createReadStream(path)
    .pipe(iconv.decodeStream(encoding))
    .pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }));
  for await (const record of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield { line: record.info.lines, values: record.record };
  }
}
