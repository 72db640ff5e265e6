// web/src/charts.js - Chart.js with the parts the dashboard draws (bars and
// lines), registered once; main.js imports this module on the first
// dashboard, so esbuild makes it a chunk of its own.
import { Chart, BarController, BarElement, LineController, LineElement, PointElement,
  CategoryScale, LinearScale, Tooltip, Legend } from 'chart.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement,
  CategoryScale, LinearScale, Tooltip, Legend);
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, sans-serif';

export { Chart };
