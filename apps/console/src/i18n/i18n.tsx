import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { en } from './en.ts';
import { type MessageKey, type Messages, zhCN } from './zh-CN.ts';

export type Language = 'zh-CN' | 'en';
const dictionaries: Record<Language, Messages> = { 'zh-CN': zhCN, en };
const STORAGE_KEY = 'pond.language';

interface I18n {
  readonly language: Language;
  setLanguage(language: Language): void;
  /** The text for `key`, with `{name}` placeholders filled from `vars`. */
  t(key: MessageKey, vars?: Record<string, string | number>): string;
}

const I18nContext = createContext<I18n | null>(null);

function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  return saved === 'en' || saved === 'zh-CN' ? saved : 'zh-CN';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(STORAGE_KEY, next);
    document.documentElement.lang = next;
    setLanguageState(next);
  }, []);
  const value = useMemo<I18n>(
    () => ({
      language,
      setLanguage,
      t: (key, vars) => {
        const text = dictionaries[language][key];
        return vars ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? '')) : text;
      },
    }),
    [language, setLanguage],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}

export type { MessageKey };
