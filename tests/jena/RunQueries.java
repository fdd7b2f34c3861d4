// Runs SPARQL queries with Apache Jena ARQ in one JVM, for tests/stores.py.
//
//   java -cp <jena jars> RunQueries.java DATA.nt OUTDIR Q1.rq Q2.rq ...
//
// reads DATA.nt into an in-memory model, then runs each query over it: a SELECT writes SPARQL JSON results to
// Qn.out, a CONSTRUCT writes N-Triples to Qn.out, a query that fails writes its error to Qn.err. Prints
// "load<TAB>seconds" and "Qn.rq<TAB>seconds" lines (wall-clock time of parsing + evaluating + writing).
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.jena.query.Dataset;
import org.apache.jena.query.DatasetFactory;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;

public class RunQueries {
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        Model model = RDFDataMgr.loadModel(args[0], Lang.NTRIPLES);
        Dataset dataset = DatasetFactory.wrap(model);
        System.out.printf("load\t%.6f%n", (System.nanoTime() - t0) / 1e9);
        Path outDir = Path.of(args[1]);
        for (int i = 2; i < args.length; i++) {
            Path file = Path.of(args[i]);
            String stem = file.getFileName().toString().replaceFirst("\\.rq$", "");
            long t = System.nanoTime();
            try {
                Query query = QueryFactory.create(Files.readString(file, StandardCharsets.UTF_8));
                try (QueryExecution exec = QueryExecutionFactory.create(query, dataset);
                     OutputStream out = Files.newOutputStream(outDir.resolve(stem + ".out"))) {
                    if (query.isSelectType()) {
                        ResultSetFormatter.outputAsJSON(out, exec.execSelect());
                    } else if (query.isConstructType()) {
                        RDFDataMgr.write(out, exec.execConstruct(), Lang.NTRIPLES);
                    } else {
                        throw new IllegalArgumentException("only SELECT and CONSTRUCT queries are run");
                    }
                }
            } catch (Exception e) {
                Files.deleteIfExists(outDir.resolve(stem + ".out"));
                StringWriter sw = new StringWriter();
                e.printStackTrace(new PrintWriter(sw));
                Files.writeString(outDir.resolve(stem + ".err"), sw.toString(), StandardCharsets.UTF_8);
            }
            System.out.printf("%s\t%.6f%n", file.getFileName(), (System.nanoTime() - t) / 1e9);
        }
    }
}
