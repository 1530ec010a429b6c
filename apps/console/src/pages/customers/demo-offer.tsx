import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Progress, Space } from 'antd';
import { useEffect } from 'react';
import { useDemoStatus, useLoadDemo } from '../../api/use-demo.ts';
import { errorText } from '../../components/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** On an empty brand: offers to load the demo brand, and shows its progress. */
export function DemoOffer() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const status = useDemoStatus(true);
  const load = useLoadDemo();
  const queryClient = useQueryClient();
  const state = status.data?.state;
  useEffect(() => {
    if (state === 'loaded') void queryClient.invalidateQueries();
  }, [state, queryClient]);
  if (!status.data || state === 'unavailable' || state === 'loaded') return null;
  const { customers, events, target } = status.data;
  const percent = Math.floor(((customers / target.customers) * 0.2 + (events / target.events) * 0.8) * 100);
  return (
    <Alert
      style={{ marginBottom: 16 }}
      type={state === 'failed' ? 'error' : 'info'}
      showIcon
      message={t('demo.title')}
      description={
        <Space direction="vertical" style={{ width: '100%' }}>
          <span>{state === 'failed' ? status.data.error : t('demo.description')}</span>
          {state === 'loading' ? (
            <Progress
              percent={Math.min(99, percent)}
              status="active"
              format={() => t('demo.progress', { customers, events })}
            />
          ) : (
            <Button
              type="primary"
              loading={load.isPending}
              onClick={() => load.mutateAsync().catch((e: unknown) => message.error(errorText(e)))}
            >
              {t('demo.load')}
            </Button>
          )}
        </Space>
      }
    />
  );
}
