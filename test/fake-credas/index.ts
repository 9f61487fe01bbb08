export * from './fake-credas-server';
export { buildReportPdf } from './report-pdf';
