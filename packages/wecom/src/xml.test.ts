import { describe, expect, it } from 'vitest';
import { parseXml, parseXmlTree, toXml, tryParseXml, XmlError } from './xml.ts';

describe('xml', () => {
  it('reads CDATA, plain text, entities and ignores layout whitespace', () => {
    const xml = `<?xml version="1.0"?>
<xml>
  <ToUserName><![CDATA[ww1]]></ToUserName>
  <CreateTime>1403610513</CreateTime>
  <Content><![CDATA[a <b> & ]]]]><![CDATA[> c]]></Content>
  <Escaped>x &lt; y &amp;&#20320;&#x597D;</Escaped>
  <Empty></Empty><SelfClosed/>
</xml>`;
    expect(parseXml(xml)).toEqual({
      ToUserName: 'ww1',
      CreateTime: '1403610513',
      Content: 'a <b> & ]]> c',
      Escaped: 'x < y &你好',
      Empty: '',
      SelfClosed: '',
    });
  });

  it('joins a nested list and keeps its items in the tree', () => {
    const xml = '<xml><MemChangeList><Item>Jack</Item><Item><![CDATA[Rose]]></Item></MemChangeList></xml>';
    expect(parseXml(xml)).toEqual({ MemChangeList: 'Jack,Rose' });
    expect(parseXmlTree(xml).children[0]?.children.map((c) => c.text)).toEqual(['Jack', 'Rose']);
  });

  it('rejects malformed documents and DTDs', () => {
    for (const bad of [
      '',
      'text',
      '<xml><A>1</B></xml>',
      '<xml><A><![CDATA[x</A></xml>',
      '<xml><A>1</A>',
      '<xml></xml><xml></xml>',
      '<!DOCTYPE x [<!ENTITY e "boom">]><xml><A>&e;</A></xml>',
      '<xml><A>&unknown;</A></xml>',
    ]) {
      expect(() => parseXml(bad), bad).toThrow(XmlError);
      expect(tryParseXml(bad)).toBeNull();
    }
  });

  it('writes strings as CDATA, numbers as text, lists as Items, and reads back', () => {
    const xml = toXml('xml', { A: 'x]]>y', N: 5, L: ['p', 'q'] });
    expect(xml).toBe(
      '<xml><A><![CDATA[x]]]]><![CDATA[>y]]></A><N>5</N><L><Item><![CDATA[p]]></Item><Item><![CDATA[q]]></Item></L></xml>',
    );
    expect(parseXml(xml)).toEqual({ A: 'x]]>y', N: '5', L: 'p,q' });
  });
});
