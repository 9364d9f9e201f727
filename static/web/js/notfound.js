// notfound.js — the page served for an unknown branch or page: Greek, with
// the English text below.
import { setLang, initialLang } from './i18n.js';

initialLang().then((l) => setLang(l, { secondary: l === 'el' ? 'en' : 'el' }));
