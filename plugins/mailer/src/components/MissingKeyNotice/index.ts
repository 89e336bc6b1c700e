export { MissingKeyNotice } from './MissingKeyNotice';
