// Validates data files against one shapes file with Apache Jena's SHACL engine, in one JVM, for
// tests/test_report_rdf.py.
//
//   java -cp <jena jars> ShaclReports.java SHAPES.ttl DATA1.nt REPORT1.ttl [DATA2.nt REPORT2.ttl ...]
//
// writes Jena's sh:ValidationReport of each data file as Turtle.
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.jena.graph.Graph;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;

public class ShaclReports {
    public static void main(String[] args) throws Exception {
        Shapes shapes = Shapes.parse(RDFDataMgr.loadGraph(args[0]));
        for (int i = 1; i + 1 < args.length; i += 2) {
            Graph data = RDFDataMgr.loadGraph(args[i]);
            ValidationReport report = ShaclValidator.get().validate(shapes, data);
            try (OutputStream out = Files.newOutputStream(Path.of(args[i + 1]))) {
                RDFDataMgr.write(out, report.getModel(), Lang.TURTLE);
            }
        }
    }
}
