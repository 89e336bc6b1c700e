import '@backstage/cli/asset-types';
// Backstage's base styles (box sizing, page margins); core-components builds on them.
import '@backstage/ui/css/styles.css';
import ReactDOM from 'react-dom/client';
import App from './App';

ReactDOM.createRoot(document.getElementById('root')!).render(<App />);
