export * from './escapeHtml';
export * from './portal';
export * from './mailLayout';
export * from './accountMail';
