import { InboxOutlined } from '@ant-design/icons';
import type { ImportJob, ImportTarget } from '@pond/contracts';
import { IdentityType } from '@pond/contracts';
import {
  Result as AntResult,
  App,
  Button,
  Card,
  Progress,
  Select,
  Space,
  Statistic,
  Table,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import { useAttributes } from '../../api/use-attributes.ts';
import { useImport, useImportErrors, useStartImport, useUploadImport } from '../../api/use-imports.ts';
import { errorText } from '../../components/api-error.ts';
import { type MessageKey, useI18n } from '../../i18n/i18n.tsx';

const PROFILE_TARGETS = [
  'ignore',
  'name',
  'phone',
  'email',
  'gender',
  'birthday',
  'region',
  'city',
  'membershipLevel',
  'sourceChannel',
] as const;

function MappingStep({ job, onStarted }: { job: ImportJob; onStarted: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [mapping, setMapping] = useState<Record<string, ImportTarget>>(job.suggestedMapping);
  const start = useStartImport(job.id);
  const attributes = useAttributes();
  const options = [
    ...PROFILE_TARGETS.map((v) => ({ value: v, label: t(`import.target.${v}` as MessageKey) })),
    ...IdentityType.options
      .filter((v) => v !== 'phone' && v !== 'email')
      .map((v) => ({ value: `identity:${v}`, label: `${t('import.identity')}: ${v}` })),
    ...(attributes.data ?? []).map((d) => ({
      value: `attribute:${d.key}`,
      label: `${t('import.attribute')}: ${d.label}`,
    })),
  ];
  const run = (dryRun: boolean) =>
    start
      .mutateAsync({ mapping, dryRun, updateExisting: true })
      .then(onStarted)
      .catch((e: unknown) => message.error(errorText(e)));
  return (
    <>
      <Typography.Paragraph type="secondary">
        {t('import.detected', { encoding: job.encoding ?? 'xlsx', columns: job.columns.length })}
      </Typography.Paragraph>
      <Table
        rowKey="column"
        size="small"
        pagination={false}
        dataSource={job.columns.map((column, i) => ({
          column,
          sample: job.sample
            .map((r) => r[i] ?? '')
            .filter(Boolean)
            .slice(0, 3)
            .join(' · '),
        }))}
        columns={[
          { title: t('import.column'), dataIndex: 'column' },
          { title: t('import.sample'), dataIndex: 'sample' },
          {
            title: t('import.target'),
            key: 'target',
            render: (_: unknown, row: { column: string }) => (
              <Select
                style={{ width: 240 }}
                value={mapping[row.column] ?? 'ignore'}
                options={options}
                onChange={(v: ImportTarget) => setMapping((m) => ({ ...m, [row.column]: v }))}
              />
            ),
          },
        ]}
      />
      <Space style={{ marginTop: 16 }}>
        <Button onClick={() => run(true)} loading={start.isPending}>
          {t('import.dryRun')}
        </Button>
        <Button type="primary" onClick={() => run(false)} loading={start.isPending}>
          {t('import.run')}
        </Button>
      </Space>
    </>
  );
}

function ProgressStep({ id, onAgain }: { id: string; onAgain: () => void }) {
  const { t } = useI18n();
  const job = useImport(id);
  const done = job.data?.status === 'done' || job.data?.status === 'failed';
  const errors = useImportErrors(id, done);
  if (!job.data) return null;
  const j = job.data;
  const downloadErrors = () => {
    const lines = [
      'line,column,reason',
      ...(errors.data?.data ?? []).map(
        (e) => `${e.line},"${e.column ?? ''}","${e.reason.replace(/"/g, '""')}"`,
      ),
    ];
    const url = URL.createObjectURL(new Blob([`\ufeff${lines.join('\r\n')}`], { type: 'text/csv' }));
    Object.assign(document.createElement('a'), { href: url, download: `${j.fileName}-errors.csv` }).click();
    URL.revokeObjectURL(url);
  };
  return (
    <>
      {j.status === 'running' ? (
        <Progress percent={99} status="active" format={() => `${j.processedRows}`} />
      ) : null}
      {j.status === 'failed' ? <AntResult status="error" title={j.error} /> : null}
      <Space size="large" style={{ margin: '16px 0' }}>
        <Statistic title={t('import.processed')} value={j.processedRows} />
        <Statistic title={t('import.created')} value={j.createdRows} />
        <Statistic title={t('import.updated')} value={j.updatedRows} />
        <Statistic
          title={t('import.failed')}
          value={j.failedRows}
          valueStyle={j.failedRows ? { color: '#cf1322' } : {}}
        />
      </Space>
      {j.dryRun && done ? <Typography.Paragraph>{t('import.dryRunDone')}</Typography.Paragraph> : null}
      {errors.data?.data.length ? (
        <>
          <Table
            size="small"
            rowKey={(e) => `${e.line}-${e.column}-${e.reason}`}
            dataSource={errors.data.data}
            pagination={{ pageSize: 20 }}
            columns={[
              { title: t('import.line'), dataIndex: 'line' },
              { title: t('import.column'), dataIndex: 'column' },
              { title: t('debugger.reason'), dataIndex: 'reason' },
            ]}
          />
          <Button onClick={downloadErrors}>{t('import.downloadErrors')}</Button>
        </>
      ) : null}
      {done ? (
        <Button style={{ marginLeft: 8 }} onClick={onAgain}>
          {j.dryRun ? t('import.backToMapping') : t('import.another')}
        </Button>
      ) : null}
    </>
  );
}

/** Import wizard: upload a CSV (UTF-8 or GBK) or XLSX file, map its columns, dry-run, run. */
export function ImportPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const upload = useUploadImport();
  const [job, setJob] = useState<ImportJob | null>(null);
  const [running, setRunning] = useState(false);
  const current = useImport(running ? (job?.id ?? null) : null);
  return (
    <Card title={t('import.title')}>
      {!job ? (
        <Upload.Dragger
          accept=".csv,.xlsx"
          showUploadList={false}
          customRequest={({ file }) =>
            upload
              .mutateAsync(file as File)
              .then(setJob)
              .catch((e: unknown) => message.error(errorText(e)))
          }
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p>{t('import.drop')}</p>
          <Typography.Text type="secondary">{t('import.hint')}</Typography.Text>
        </Upload.Dragger>
      ) : running ? (
        <ProgressStep
          id={job.id}
          onAgain={() => {
            setRunning(false);
            if (!current.data?.dryRun) setJob(null);
          }}
        />
      ) : (
        <MappingStep job={job} onStarted={() => setRunning(true)} />
      )}
    </Card>
  );
}
