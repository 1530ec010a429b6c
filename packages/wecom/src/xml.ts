/**
 * A small reader and writer for WeCom's XML (SPEC §1.3, §1.5, §2): one root element whose
 * children are leaves holding CDATA or plain text, with at most one level of nesting
 * (`<MemChangeList><Item>…</Item></MemChangeList>`). It refuses DTDs and processing
 * instructions other than the XML declaration, so no entity expansion can be smuggled in.
 */

export class XmlError extends Error {
  override readonly name = 'XmlError';
}

/** An element of the parsed tree: its text (CDATA and character data, decoded) and children. */
export interface XmlElement {
  name: string;
  text: string;
  children: XmlElement[];
}

const NAME = /[A-Za-z_][\w.-]*/y;
const MAX_DEPTH = 8;

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(Number.parseInt(ref.slice(2), 16), whole);
    if (ref.startsWith('#')) return safeCodePoint(Number.parseInt(ref.slice(1), 10), whole);
    const named = ENTITIES[ref];
    if (named === undefined) throw new XmlError(`unknown entity &${ref};`);
    return named;
  });
}

function safeCodePoint(code: number, whole: string): string {
  if (!Number.isFinite(code) || code < 0 || code > 0x10ffff) throw new XmlError(`bad character ${whole}`);
  return String.fromCodePoint(code);
}

class Reader {
  pos = 0;
  constructor(readonly src: string) {}

  fail(message: string): never {
    throw new XmlError(`${message} at offset ${this.pos}`);
  }

  skipSpaceAndProlog(): void {
    for (;;) {
      const rest = this.src.slice(this.pos);
      const ws = /^\s+/.exec(rest);
      if (ws) {
        this.pos += ws[0].length;
        continue;
      }
      if (rest.startsWith('<?xml')) {
        const end = this.src.indexOf('?>', this.pos);
        if (end < 0) this.fail('unterminated XML declaration');
        this.pos = end + 2;
        continue;
      }
      if (rest.startsWith('<!--')) {
        this.skipComment();
        continue;
      }
      if (rest.startsWith('<!') || rest.startsWith('<?'))
        this.fail('DTDs and processing instructions are not accepted');
      return;
    }
  }

  skipComment(): void {
    const end = this.src.indexOf('-->', this.pos + 4);
    if (end < 0) this.fail('unterminated comment');
    this.pos = end + 3;
  }

  name(): string {
    NAME.lastIndex = this.pos;
    const match = NAME.exec(this.src);
    if (!match) this.fail('expected an element name');
    this.pos += match[0].length;
    return match[0];
  }

  element(depth: number): XmlElement {
    if (depth > MAX_DEPTH) this.fail('elements nested too deeply');
    if (this.src[this.pos] !== '<') this.fail('expected "<"');
    this.pos += 1;
    const name = this.name();
    // Attributes are not part of WeCom's formats; tolerate and ignore them.
    const close = this.src.indexOf('>', this.pos);
    if (close < 0) this.fail(`unterminated start tag <${name}>`);
    const selfClosing = this.src[close - 1] === '/';
    this.pos = close + 1;
    const element: XmlElement = { name, text: '', children: [] };
    if (selfClosing) return element;
    let text = '';
    for (;;) {
      if (this.pos >= this.src.length) this.fail(`missing </${name}>`);
      if (this.src.startsWith('<![CDATA[', this.pos)) {
        const end = this.src.indexOf(']]>', this.pos + 9);
        if (end < 0) this.fail('unterminated CDATA section');
        text += this.src.slice(this.pos + 9, end);
        this.pos = end + 3;
      } else if (this.src.startsWith('<!--', this.pos)) {
        this.skipComment();
      } else if (this.src.startsWith('</', this.pos)) {
        this.pos += 2;
        const closing = this.name();
        if (closing !== name) this.fail(`</${closing}> closes <${name}>`);
        while (/\s/.test(this.src[this.pos] ?? '')) this.pos += 1;
        if (this.src[this.pos] !== '>') this.fail('expected ">"');
        this.pos += 1;
        break;
      } else if (this.src[this.pos] === '<') {
        if (this.src[this.pos + 1] === '!' || this.src[this.pos + 1] === '?') this.fail('unexpected markup');
        element.children.push(this.element(depth + 1));
      } else {
        const next = this.src.indexOf('<', this.pos);
        const end = next < 0 ? this.src.length : next;
        text += decodeEntities(this.src.slice(this.pos, end));
        this.pos = end;
      }
    }
    // Whitespace between child elements is layout, not content.
    element.text = element.children.length > 0 && text.trim() === '' ? '' : text;
    return element;
  }
}

/** Parses a whole document into its root element. Throws `XmlError` on malformed input. */
export function parseXmlTree(xml: string): XmlElement {
  const reader = new Reader(xml);
  reader.skipSpaceAndProlog();
  const root = reader.element(0);
  reader.skipSpaceAndProlog();
  if (reader.pos !== xml.length) reader.fail('content after the root element');
  return root;
}

/**
 * Reads WeCom's flat format into `{ ChildName: text }`. The first occurrence of a name wins.
 * A nested container (e.g. `MemChangeList`) maps to its children's texts joined with ","
 * (WeCom ids never contain commas); use `parseXmlTree` to get the items one by one.
 * Throws `XmlError` on malformed input.
 *
 * @example parseXml('<xml><Encrypt><![CDATA[abc]]></Encrypt></xml>') // { Encrypt: 'abc' }
 */
export function parseXml(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const child of parseXmlTree(xml).children) {
    if (Object.hasOwn(out, child.name)) continue;
    out[child.name] = child.children.length > 0 ? child.children.map((c) => c.text).join(',') : child.text;
  }
  return out;
}

/** Like `parseXml` but returns `null` instead of throwing. */
export function tryParseXml(xml: string): Record<string, string> | null {
  try {
    return parseXml(xml);
  } catch (error) {
    if (error instanceof XmlError) return null;
    throw error;
  }
}

function cdata(value: string): string {
  // "]]>" cannot appear inside one CDATA section: split it across two.
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

export type XmlValue = string | number | readonly string[];

/**
 * Writes `<root><Key><![CDATA[value]]></Key>…</root>`: strings as CDATA, numbers as plain
 * text (as WeCom writes CreateTime), string arrays as `<Key><Item>…</Item>…</Key>`.
 *
 * @example toXml('xml', { Encrypt: 'abc', CreateTime: 1 })
 *   // '<xml><Encrypt><![CDATA[abc]]></Encrypt><CreateTime>1</CreateTime></xml>'
 */
export function toXml(root: string, fields: Record<string, XmlValue>): string {
  let body = '';
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'number') body += `<${key}>${value}</${key}>`;
    else if (typeof value === 'string') body += `<${key}>${cdata(value)}</${key}>`;
    else body += `<${key}>${value.map((item) => `<Item>${cdata(item)}</Item>`).join('')}</${key}>`;
  }
  return `<${root}>${body}</${root}>`;
}
