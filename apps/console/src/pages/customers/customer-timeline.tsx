import type { TimelineItem } from '@pond/contracts';
import { App, Button, Empty, Input, Space, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useAddNote, useTimeline } from '../../api/use-customers.ts';
import { errorText } from '../../components/api-error.ts';
import { formatTime } from '../../components/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

const COLOR: Record<TimelineItem['kind'], string> = {
  event: 'blue',
  change: 'orange',
  note: 'green',
  merge: 'purple',
};

function describe(item: TimelineItem): string {
  switch (item.kind) {
    case 'event':
      return `${item.type}${item.name ? ` · ${item.name}` : ''} ${JSON.stringify(item.properties).slice(0, 160)}`;
    case 'change':
      return Object.entries(item.changes)
        .map(([field, [before, after]]) => `${field}: ${String(before ?? '—')} → ${String(after ?? '—')}`)
        .join('; ');
    case 'note':
      return `${item.author}: ${item.body}`;
    case 'merge':
      return `${item.mergedId} → ${item.survivorId} (${item.reason}, ${item.status})`;
  }
}

export function CustomerTimeline({ customerId }: { customerId: string }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const timeline = useTimeline(customerId);
  const addNote = useAddNote(customerId);
  const [note, setNote] = useState('');
  const items = timeline.data?.pages.flatMap((p) => p.data) ?? [];
  const submit = async () => {
    if (!note.trim()) return;
    try {
      await addNote.mutateAsync(note.trim());
      setNote('');
    } catch (e) {
      message.error(errorText(e));
    }
  };
  return (
    <>
      <Space.Compact style={{ width: '100%', marginBottom: 16 }}>
        <Input
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder={t('customers.notePlaceholder')}
          onPressEnter={submit}
        />
        <Button type="primary" onClick={submit} loading={addNote.isPending}>
          {t('customers.addNote')}
        </Button>
      </Space.Compact>
      {items.length === 0 && !timeline.isPending ? <Empty description={t('common.empty')} /> : null}
      <Timeline
        items={items.map((item) => ({
          key: `${item.kind}-${item.id}`,
          color: COLOR[item.kind],
          children: (
            <>
              <Space>
                <Tag color={COLOR[item.kind]}>{t(`customers.kind.${item.kind}`)}</Tag>
                <Typography.Text type="secondary">{formatTime(item.at, language)}</Typography.Text>
              </Space>
              <div>{describe(item)}</div>
            </>
          ),
        }))}
      />
      {timeline.hasNextPage ? (
        <Button block onClick={() => timeline.fetchNextPage()} loading={timeline.isFetchingNextPage}>
          {t('common.loadMore')}
        </Button>
      ) : null}
    </>
  );
}
