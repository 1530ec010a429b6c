import { Alert, App, Button, Form, Input, Select, Spin } from 'antd';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { useCompleteSetup, useSetupStatus } from '../api/use-auth.ts';
import { errorText, showFieldError } from '../components/api-error.ts';
import { type Language, useI18n } from '../i18n/i18n.tsx';
import { CenteredCard } from './sign-in-page.tsx';

interface SetupForm {
  brandName: string;
  ownerName: string;
  email: string;
  password: string;
  locale: Language;
}

/** First run: the one-time link from `npm start` lands here to create the brand and owner. */
export function SetupPage() {
  const { t, language, setLanguage } = useI18n();
  const { message } = App.useApp();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const status = useSetupStatus();
  const complete = useCompleteSetup();
  const navigate = useNavigate();
  const [form] = Form.useForm<SetupForm>();

  if (status.isPending) return <Spin fullscreen />;
  if (status.data && !status.data.needed) return <Navigate to="/sign-in" replace />;
  const submit = async (values: SetupForm) => {
    try {
      await complete.mutateAsync({ ...values, token });
      navigate('/');
    } catch (e) {
      if (!showFieldError(form, e)) message.error(errorText(e));
    }
  };
  return (
    <CenteredCard title={t('setup.title')} subtitle={t('setup.subtitle')}>
      {token ? null : (
        <Alert type="warning" showIcon message={t('setup.missingToken')} style={{ marginBottom: 16 }} />
      )}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ locale: language }}
        requiredMark={false}
      >
        <Form.Item name="brandName" label={t('setup.brandName')} rules={[{ required: true, max: 100 }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item name="ownerName" label={t('setup.ownerName')} rules={[{ required: true, max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="email" label={t('setup.email')} rules={[{ required: true, type: 'email' }]}>
          <Input autoComplete="username" />
        </Form.Item>
        <Form.Item name="password" label={t('setup.password')} rules={[{ required: true, min: 10 }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="locale" label={t('setup.language')}>
          <Select
            onChange={(v: Language) => setLanguage(v)}
            options={[
              { value: 'zh-CN', label: '简体中文' },
              { value: 'en', label: 'English' },
            ]}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={complete.isPending} disabled={!token}>
          {t('setup.submit')}
        </Button>
      </Form>
    </CenteredCard>
  );
}
