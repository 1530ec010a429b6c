import { describe, expect, it } from 'vitest';
import { parseCallbackEvent } from './events.ts';
import { toXml } from './xml.ts';

const header =
  '<ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType>';

function contact(changeType: string, extra = ''): string {
  return `<xml>${header}<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[${changeType}]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mAAAA]]></ExternalUserID>${extra}</xml>`;
}

describe('parseCallbackEvent', () => {
  it('add_external_contact with State and WelcomeCode (doc sample)', () => {
    const event = parseCallbackEvent(
      contact(
        'add_external_contact',
        '<State><![CDATA[teststate]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>',
      ),
    );
    expect(event).toMatchObject({
      kind: 'add_external_contact',
      event: 'change_external_contact',
      corpId: 'ww1',
      createTime: 1403610513,
      userId: 'zhangsan',
      externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA',
      state: 'teststate',
      welcomeCode: 'WELCOMECODE',
    });
    expect(event.dedupKey).toBe(
      'ww1|change_external_contact|add_external_contact|1403610513|zhangsan|woAJ2GCAAAXtWyujaWJHDDGi0mAAAA|||||',
    );
  });

  it('every contact change type', () => {
    expect(parseCallbackEvent(contact('add_half_external_contact', '<State>s</State>'))).toMatchObject({
      kind: 'add_half_external_contact',
      state: 's',
    });
    const edit = parseCallbackEvent(contact('edit_external_contact'));
    expect(edit.kind).toBe('edit_external_contact');
    expect('state' in edit).toBe(false);
    expect(
      parseCallbackEvent(contact('del_external_contact', '<Source><![CDATA[DELETE_BY_TRANSFER]]></Source>')),
    ).toMatchObject({
      kind: 'del_external_contact',
      source: 'DELETE_BY_TRANSFER',
      byTransfer: true,
    });
    expect(parseCallbackEvent(contact('del_external_contact'))).toMatchObject({ byTransfer: false });
    expect(parseCallbackEvent(contact('del_follow_user')).kind).toBe('del_follow_user');
    expect(
      parseCallbackEvent(contact('transfer_fail', '<FailReason><![CDATA[customer_refused]]></FailReason>')),
    ).toMatchObject({
      kind: 'transfer_fail',
      failReason: 'customer_refused',
    });
    expect(parseCallbackEvent(contact('msg_audit_approved', '<WelcomeCode>w</WelcomeCode>'))).toMatchObject({
      kind: 'msg_audit_approved',
      welcomeCode: 'w',
    });
  });

  it('group update with scenes, counts and member list (third-party header)', () => {
    const xml =
      '<xml><SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId><AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId><InfoType><![CDATA[change_external_chat]]></InfoType><TimeStamp>1403610513</TimeStamp><ChatId><![CDATA[CHAT_ID]]></ChatId><ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[add_member]]></UpdateDetail><JoinScene>1</JoinScene><QuitScene>0</QuitScene><MemChangeCnt>10</MemChangeCnt><MemChangeList><Item>Jack</Item><Item>Rose</Item></MemChangeList><LastMemVer>9c3f97c2ada667dfb5f6d03308d963e1</LastMemVer><CurMemVer>71217227bbd112ecfe3a49c482195cb4</CurMemVer></xml>';
    expect(parseCallbackEvent(xml)).toMatchObject({
      kind: 'chat_update',
      corpId: 'wxf8b4f85f3a794e77',
      suiteId: 'ww4asffe99e54c0f4c',
      createTime: 1403610513,
      chatId: 'CHAT_ID',
      updateDetail: 'add_member',
      joinScene: 1,
      quitScene: 0,
      memChangeCnt: 10,
      memChangeList: ['Jack', 'Rose'],
      lastMemVer: '9c3f97c2ada667dfb5f6d03308d963e1',
      curMemVer: '71217227bbd112ecfe3a49c482195cb4',
    });
  });

  it('keeps two joins of one group in the same second apart, and a retry the same', () => {
    const join = (who: string, version: string) =>
      `<xml><ToUserName>ww1</ToUserName><CreateTime>5</CreateTime><Event>change_external_chat</Event><ChatId>wr1</ChatId><ChangeType>update</ChangeType><UpdateDetail>add_member</UpdateDetail><MemChangeList><Item>${who}</Item></MemChangeList><CurMemVer>${version}</CurMemVer></xml>`;
    const a = parseCallbackEvent(join('wmA', 'v1'));
    const b = parseCallbackEvent(join('wmB', 'v2'));
    expect(a.dedupKey).not.toBe(b.dedupKey);
    expect(parseCallbackEvent(join('wmA', 'v1')).dedupKey).toBe(a.dedupKey);
  });

  it('group create and dismiss, tag changes', () => {
    const chat = (type: string) =>
      toXml('xml', {
        ToUserName: 'ww1',
        CreateTime: 1,
        Event: 'change_external_chat',
        ChatId: 'wr1',
        ChangeType: type,
      });
    expect(parseCallbackEvent(chat('create'))).toMatchObject({ kind: 'chat_create', chatId: 'wr1' });
    expect(parseCallbackEvent(chat('dismiss'))).toMatchObject({ kind: 'chat_dismiss', chatId: 'wr1' });
    expect(parseCallbackEvent(chat('explode'))).toMatchObject({
      kind: 'unknown',
      reason: 'unknown ChangeType "explode"',
    });
    const shuffle = `<xml><ToUserName><![CDATA[CORPID]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_tag]]></Event><Id><![CDATA[TAG_ID]]></Id><StrategyId><![CDATA[STRATEGY_ID]]></StrategyId><ChangeType><![CDATA[shuffle]]></ChangeType></xml>`;
    expect(parseCallbackEvent(shuffle)).toMatchObject({
      kind: 'tag_change',
      tagChange: 'shuffle',
      id: 'TAG_ID',
      strategyId: 'STRATEGY_ID',
    });
    const created = toXml('xml', {
      ToUserName: 'ww1',
      Event: 'change_external_tag',
      ChangeType: 'create',
      Id: 'et1',
      TagType: 'tag_group',
    });
    expect(parseCallbackEvent(created)).toMatchObject({
      kind: 'tag_change',
      tagChange: 'create',
      tagType: 'tag_group',
    });
  });

  it('never throws: garbage, unknown events and missing fields become unknown', () => {
    expect(parseCallbackEvent('<<<')).toMatchObject({ kind: 'unknown', raw: {} });
    expect(parseCallbackEvent('')).toMatchObject({ kind: 'unknown' });
    const text = parseCallbackEvent('<xml><MsgType>text</MsgType><Content>hi</Content></xml>');
    expect(text).toMatchObject({ kind: 'unknown', raw: { MsgType: 'text', Content: 'hi' } });
    expect(
      parseCallbackEvent(
        toXml('xml', { Event: 'change_external_contact', ChangeType: 'add_external_contact' }),
      ),
    ).toMatchObject({
      kind: 'unknown',
      reason: 'add_external_contact without UserID or ExternalUserID',
    });
    expect(
      parseCallbackEvent(
        toXml('xml', {
          Event: 'change_external_contact',
          ChangeType: 'toString',
          UserID: 'a',
          ExternalUserID: 'b',
        }),
      ).kind,
    ).toBe('unknown');
  });
});
