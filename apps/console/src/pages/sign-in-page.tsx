import { Alert, App, Button, Card, Form, Input, Typography } from 'antd';
import { Navigate, useNavigate } from 'react-router';
import { useMe, useSignIn } from '../api/use-auth.ts';
import { errorText } from '../components/api-error.ts';
import { useI18n } from '../i18n/i18n.tsx';

export function CenteredCard({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle?: string;
  children: React.ReactNode;
}) {
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f5f7fa' }}>
      <Card style={{ width: 420 }}>
        <Typography.Title level={3}>{title}</Typography.Title>
        {subtitle ? <Typography.Paragraph type="secondary">{subtitle}</Typography.Paragraph> : null}
        {children}
      </Card>
    </div>
  );
}

export function SignInPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const me = useMe();
  const signIn = useSignIn();
  const navigate = useNavigate();
  if (me.data) return <Navigate to="/" replace />;
  const submit = async (values: { identifier: string; password: string }) => {
    try {
      await signIn.mutateAsync(values);
      navigate('/');
    } catch (e) {
      message.error(errorText(e));
    }
  };
  return (
    <CenteredCard title={t('signIn.title')}>
      <Form layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item name="identifier" label={t('signIn.identifier')} rules={[{ required: true }]}>
          <Input autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item name="password" label={t('signIn.password')} rules={[{ required: true }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        {signIn.error ? (
          <Alert type="error" showIcon message={errorText(signIn.error)} style={{ marginBottom: 16 }} />
        ) : null}
        <Button type="primary" htmlType="submit" block loading={signIn.isPending}>
          {t('signIn.submit')}
        </Button>
      </Form>
      <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
        {t('signIn.setupHint')}
      </Typography.Paragraph>
    </CenteredCard>
  );
}
